import { crashSuite } from '../helpers/crash-suite';

// The source master is SIGKILLed after each kind of protocol step; its replica takes over.
crashSuite('source-kill', false);
