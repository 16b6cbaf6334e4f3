// How every bench judges itself: one PASS/FAIL line per stated target, and a non-zero exit code
// when any target is missed, so a bench run in a script or CI fails instead of only printing.

export interface TargetCheck {
  /** What is measured, e.g. "repazoo log profile throughput". */
  name: string;
  /** The figure seen in this run, with its unit. */
  measured: string;
  /** The target as a reader would state it, e.g. ">= 10x redact-pii". */
  target: string;
  met: boolean;
}

const misses: string[] = [];

/** Prints `PASS|FAIL name: measured (target ...)` and marks the process as failed on a miss. */
export function reportTarget(check: TargetCheck): boolean {
  console.log(`${check.met ? 'PASS' : 'FAIL'} ${check.name}: ${check.measured} (target ${check.target})`);
  if (!check.met) {
    misses.push(check.name);
    process.exitCode = 1;
  }
  return check.met;
}

/** The closing line: how many targets were missed; the exit code is already set by reportTarget. */
export function reportVerdict(bench: string): void {
  console.log(misses.length === 0 ? `${bench}: every target met` : `${bench}: ${misses.length} target(s) missed: ${misses.join('; ')}`);
}
