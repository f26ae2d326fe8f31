import { crashSuite } from '../helpers/crash-suite';

// The target master is SIGKILLed after each kind of protocol step; its replica takes over.
crashSuite('target-kill', false);
