// A node:test reporter that writes, once the run is over, one JSON object with the run's results:
// counts of leaf tests (suites and tests with subtests are containers, not counted) and the name,
// file and reason of every test that failed, was cancelled, skipped or marked todo. scripts/test.mjs
// runs it beside the spec reporter and prints the summary line from it.
//
// Counted as failed: failing leaf tests, cancelled ones (timed out, aborted, or cut short by their
// parent), a test file that failed on its own (it did not load, crashed, or ran past
// --test-timeout), and a suite whose own hook (before, after) failed. A suite that failed only
// because one of its tests did is not counted again.
import path from "node:path";

/** node:test's failure types for a test that did not get to finish. */
const CANCELLED = new Set(["cancelledByParent", "testTimeoutFailure", "aborted"]);
/** Node 20's skip reasons for tests left out by --test-name-pattern or --test-only: not run, not counted. */
const NOT_SELECTED = new Set(["test name does not match pattern", "'only' option not set"]);

export default async function* summaryReporter(source) {
  const results = { tests: 0, passed: 0, failed: 0, cancelled: 0, skipped: 0, todo: 0, failures: [], skips: [] };
  // Per file: how many results were reported at each nesting level since their parent's own result.
  // node:test reports a test's subtests before the test itself, so a result with none is a leaf.
  const children = new Map();

  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const d = event.data;
    const file = d.file ?? "";
    const counts = children.get(file) ?? [];
    children.set(file, counts);
    const kids = counts[d.nesting + 1] ?? 0;
    counts[d.nesting + 1] = 0;
    counts[d.nesting] = (counts[d.nesting] ?? 0) + 1;

    const where = file ? path.relative(process.cwd(), file) : "";
    const isFile = file !== "" && d.name === file;
    const name = isFile ? "the test file itself" : d.name;
    const container = kids > 0 || d.details?.type === "suite";
    const error = d.details?.error;
    const failureType = error?.failureType;

    if (NOT_SELECTED.has(d.skip)) continue;
    if (d.skip !== undefined || d.todo !== undefined) {
      // A skipped suite reports none of its tests: it stands for them.
      if (container && kids > 0) continue;
      const todo = d.skip === undefined;
      results.tests++;
      if (todo) results.todo++;
      else results.skipped++;
      const reason = todo ? d.todo : d.skip;
      results.skips.push({ name, file: where, todo, reason: typeof reason === "string" ? reason : "" });
    } else if (event.type === "test:fail") {
      // A container fails when one of its tests failed (counted there); only its own failure counts here.
      if (container && (failureType === "subtestsFailed" || failureType === "cancelledByParent")) continue;
      const cancelled = CANCELLED.has(failureType);
      results.tests++;
      results.failed++;
      if (cancelled) results.cancelled++;
      const reason =
        isFile && failureType === "testCodeFailure" ? `exited with ${error.signal ?? `code ${error.exitCode}`}` : reasonOf(error);
      results.failures.push({ name, file: where, cancelled, reason });
    } else if (!container) {
      results.tests++;
      results.passed++;
    }
  }
  yield `${JSON.stringify(results, null, 2)}\n`;
}

function reasonOf(error) {
  const cause = error?.cause ?? error;
  const text = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : (cause?.message ?? String(cause ?? ""));
  return String(text).split("\n")[0].slice(0, 300);
}
