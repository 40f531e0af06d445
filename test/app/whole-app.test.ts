/**
 * The suites over the whole app of each stage, which read the run's one
 * synthesis of each stage (test/helpers/stage-synthesis.ts): stage defaults
 * and validation across every stack, the Control Tower controls, and the
 * NIST 800-53 production controls. Each is a module of `whole-app/`.
 */
import './whole-app/app-wide';
import './whole-app/control-tower';
import './whole-app/production-controls';
