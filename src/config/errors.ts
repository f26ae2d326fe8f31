import { ClusterOpsError } from '../errors';

/** A rendered or parsed config breaks a named rule (e.g. `repl-timeout-gt-ping-period`). */
export class ConfigValidationError extends ClusterOpsError {
  /** The rule's stable name. */
  readonly rule: string;
  readonly directive: string;

  constructor(rule: string, directive: string, value: string, message: string) {
    super('ERR_CONFIG_RULE', `Config rule ${rule} broken by ${directive} ${JSON.stringify(value)}: ${message}`, { details: { rule, directive, value } });
    this.rule = rule;
    this.directive = directive;
  }
}
