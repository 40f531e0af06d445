/**
 * The suites over the whole app of each stage, run in one test file so that
 * they share one synthesis of each stage (`appFor` builds it once per file):
 * stage defaults and validation across every stack, the Control Tower
 * controls, and the NIST 800-53 production controls. Each is a module of
 * `whole-app/`.
 */
import './whole-app/app-wide';
import './whole-app/control-tower';
import './whole-app/production-controls';
