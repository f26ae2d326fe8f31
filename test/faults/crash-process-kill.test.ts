import { crashSuite } from '../helpers/crash-suite';

// The operator's process is SIGKILLed after each protocol step of a small reshard.
crashSuite('process-kill', true);
