import { crashSuite } from '../helpers/crash-suite';

// The target master is frozen (SIGSTOP) after each kind of protocol step until its replica took
// over, then thawed (SIGCONT): it comes back as a replica while the operation goes on.
crashSuite('target-freeze', false);
