/**
 * A parser for POSIX `sh` command lines, complete enough to say what a command line would run:
 * quoting (`'…'`, `"…"`, `\`), lists and pipelines (`;`, `&&`, `||`, `|`, `&`, newlines), command
 * and process substitution (`$(…)`, backticks, `<(…)`), parameter expansion, redirections (with
 * here-documents), subshells `( … )`, groups `{ …; }` and assignment prefixes.
 *
 * It never runs or expands anything. Each simple command becomes a segment with its words after
 * quote removal and flags for whatever makes its effect depend on more than its words (redirections,
 * substitutions, expansions, grouping). Constructs it does not model (compound commands such as
 * `if`/`for`/`case`, arithmetic, function definitions, malformed input) make the whole line
 * "not analysable": callers deciding on allowlists must then ask or deny, never assume it is safe.
 */

export type ShellOperator = ";" | "&&" | "||" | "|" | "&" | "\n";

export interface ShellWord {
  /** The word after quote removal (expansions left as written). */
  text: string;
  /** No expansion of any kind: the word is exactly `text` when the shell runs it. */
  literal: boolean;
}

export interface ShellSegment {
  /** The command's words after quote removal, without assignments and redirections. */
  argv: string[];
  /** Whether each argv word is literal (see {@link ShellWord.literal}). */
  literal: boolean[];
  /** `NAME=value` prefixes, in order. */
  assignments: Array<{ name: string; value: string }>;
  /** The segment's text as written. */
  raw: string;
  /** Its redirections as written (`> out`, `2>&1`, `<<EOF`). */
  redirections: string[];
  /** It holds `$(…)`, backticks or `<(…)`/`>(…)`: other commands run to build it. */
  commandSubstitution: boolean;
  /** It holds a parameter expansion (`$X`, `${X}`), a glob or a tilde to expand. */
  expansion: boolean;
  /** It runs inside `( … )` or `{ …; }`, or is such a group. */
  subshell: boolean;
  /** It is a command run to build another's words (inside `$(…)`, backticks or `<(…)`). */
  substituted: boolean;
  /** The operator after it (null at the end of the line). */
  next: ShellOperator | null;
}

export type ShellAnalysis = { ok: true; segments: ShellSegment[] } | { ok: false; reason: string; segments: ShellSegment[] };

class Unparseable extends Error {}

const RESERVED = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "case",
  "esac",
  "while",
  "until",
  "for",
  "in",
  "function",
  "select",
  "[[",
  "]]",
  "!",
  "time",
  "coproc",
]);

const REDIRECT = /^(\d*)(<<<|<<-|<<|<>|<&|>>|>&|>\||&>>|&>|<|>)/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

interface Building {
  start: number;
  words: ShellWord[];
  rawWords: string[];
  assignments: Array<{ name: string; value: string }>;
  redirections: string[];
  commandSubstitution: boolean;
  expansion: boolean;
}

class Parser {
  private i = 0;
  private readonly heredocs: Array<{ delim: string; strip: boolean }> = [];
  private grouping = 0;
  private substituting = 0;
  readonly out: ShellSegment[] = [];

  constructor(private readonly s: string) {}

  private get eof(): boolean {
    return this.i >= this.s.length;
  }

  private blanks(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === " " || c === "\t" || c === "\r") this.i++;
      else if (c === "\\" && this.s[this.i + 1] === "\n") this.i += 2;
      else if (c === "#") {
        while (!this.eof && this.s[this.i] !== "\n") this.i++;
      } else return;
    }
  }

  /** Newline(s) and what follows them: pending here-document bodies are consumed. */
  private newlines(): boolean {
    let any = false;
    for (;;) {
      this.blanks();
      if (this.s[this.i] !== "\n") return any;
      this.i++;
      any = true;
      this.bodies();
    }
  }

  private bodies(): void {
    while (this.heredocs.length) {
      const { delim, strip } = this.heredocs.shift()!;
      for (;;) {
        if (this.eof) throw new Unparseable(`here-document "${delim}" is not terminated`);
        const nl = this.s.indexOf("\n", this.i);
        const end = nl < 0 ? this.s.length : nl;
        let line = this.s.slice(this.i, end);
        this.i = nl < 0 ? end : end + 1;
        if (strip) line = line.replace(/^\t+/, "");
        if (line.replace(/\r$/, "") === delim) break;
      }
    }
  }

  private operator(): ShellOperator | ";;" | null {
    const two = this.s.slice(this.i, this.i + 2);
    if (two === ";;" || two === "&&" || two === "||") return two;
    if (two === "|&") throw new Unparseable('"|&" (pipe with stderr) cannot be analysed');
    const c = this.s[this.i];
    if (c === ";" || c === "|" || c === "&") return c;
    return null;
  }

  /** A list of pipelines until `end` (`)` or `}`) or the end of input. */
  list(end: ")" | "}" | null): void {
    for (;;) {
      this.newlines();
      if (this.eof) {
        if (end) throw new Unparseable(`missing "${end}"`);
        return;
      }
      const c = this.s[this.i];
      if (c === ")") {
        if (end === ")") {
          this.i++;
          return;
        }
        throw new Unparseable('unexpected ")"');
      }
      if (this.reservedBrace()) {
        if (end === "}") {
          this.i++;
          return;
        }
        throw new Unparseable('unexpected "}"');
      }
      const op = this.operator();
      if (op) throw new Unparseable(`unexpected "${op}"`);
      const seg = this.command();
      this.blanks();
      const next = this.operator();
      if (next === ";;") throw new Unparseable('";;" outside a case statement');
      if (next) {
        this.i += next.length;
        seg.next = next;
        if (next === "&&" || next === "||" || next === "|") {
          this.newlines();
          const at = this.s[this.i];
          if (this.eof || at === ")" || this.reservedBrace() || this.operator())
            throw new Unparseable(`"${next}" is not followed by a command`);
        }
      } else if (this.s[this.i] === "\n") seg.next = "\n";
      else if (!this.eof && this.s[this.i] !== ")") throw new Unparseable(`unexpected "${this.s[this.i]}"`);
    }
  }

  private reservedBrace(): boolean {
    if (this.s[this.i] !== "}") return false;
    const after = this.s[this.i + 1];
    return after === undefined || /[\s;&|)]/.test(after);
  }

  /** One simple command, or a group / subshell with its redirections; returns its segment. */
  private command(): ShellSegment {
    const b: Building = {
      start: this.i,
      words: [],
      rawWords: [],
      assignments: [],
      redirections: [],
      commandSubstitution: false,
      expansion: false,
    };
    if (this.s[this.i] === "(") {
      if (this.s[this.i + 1] === "(") throw new Unparseable('arithmetic commands "((…))" cannot be analysed');
      this.i++;
      this.group(")");
      return this.finishGroup(b);
    }
    if (this.s[this.i] === "{" && /[\s]/.test(this.s[this.i + 1] ?? "")) {
      this.i++;
      this.group("}");
      return this.finishGroup(b);
    }
    for (;;) {
      this.blanks();
      if (this.eof) break;
      const c = this.s[this.i];
      if (c === "\n" || c === ";" || c === "|" || c === ")") break;
      if (c === "&" && this.s[this.i + 1] !== ">") break;
      if (this.redirection(b)) continue;
      if (c === "(") {
        throw new Unparseable(b.words.length ? "function definitions cannot be analysed" : 'unexpected "("');
      }
      const start = this.i;
      const w = this.word(b);
      const raw = this.s.slice(start, this.i);
      if (b.words.length === 0 && ASSIGNMENT.test(raw)) {
        const eq = w.text.indexOf("=");
        b.assignments.push({ name: w.text.slice(0, eq), value: w.text.slice(eq + 1) });
        if (raw.slice(raw.indexOf("=") + 1).startsWith("(")) throw new Unparseable("array assignments cannot be analysed");
        continue;
      }
      if (b.words.length === 0 && RESERVED.has(raw)) throw new Unparseable(`"${raw}" (a compound command) cannot be analysed`);
      b.words.push(w);
      b.rawWords.push(raw);
    }
    return this.push(b, this.grouping > 0);
  }

  private group(end: ")" | "}"): void {
    this.grouping++;
    this.list(end);
    this.grouping--;
  }

  private finishGroup(b: Building): ShellSegment {
    for (;;) {
      this.blanks();
      if (this.eof) break;
      if (this.redirection(b)) continue;
      const c = this.s[this.i];
      if (c === "\n" || c === ";" || c === "|" || c === "&" || c === ")") break;
      throw new Unparseable(`unexpected "${c}" after a group`);
    }
    return this.push(b, true);
  }

  private push(b: Building, subshell: boolean): ShellSegment {
    const seg: ShellSegment = {
      argv: b.words.map((w) => w.text),
      literal: b.words.map((w) => w.literal),
      assignments: b.assignments,
      raw: this.s.slice(b.start, this.i).trim(),
      redirections: b.redirections,
      commandSubstitution: b.commandSubstitution,
      expansion: b.expansion,
      subshell,
      substituted: this.substituting > 0,
      next: null,
    };
    if (!seg.argv.length && !seg.assignments.length && !seg.redirections.length && !subshell) throw new Unparseable("empty command");
    this.out.push(seg);
    return seg;
  }

  /** A redirection at the cursor, with its target; false when there is none. */
  private redirection(b: Building): boolean {
    const rest = this.s.slice(this.i, this.i + 8);
    const m = REDIRECT.exec(rest);
    if (!m) return false;
    const op = m[2]!;
    // `<(` / `>(` is process substitution, part of a word.
    if (!m[1] && (op === "<" || op === ">") && this.s[this.i + 1] === "(") return false;
    const start = this.i;
    this.i += m[0].length;
    this.blanks();
    if (this.eof || /[\n;&|<>()]/.test(this.s[this.i]!)) throw new Unparseable(`redirection "${op}" has no target`);
    const target = this.word(b);
    if (op === "<<" || op === "<<-") {
      if (target.text === "") throw new Unparseable("here-document has no delimiter");
      this.heredocs.push({ delim: target.text, strip: op === "<<-" });
    }
    b.redirections.push(this.s.slice(start, this.i));
    return true;
  }

  /** One word; notes substitutions and expansions on `b`. */
  private word(b: Building): ShellWord {
    let text = "";
    let literal = true;
    const first = this.i;
    for (;;) {
      if (this.eof) break;
      const c = this.s[this.i]!;
      if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === ";" || c === "&" || c === "|") break;
      if (c === ")") break;
      if ((c === "<" || c === ">") && this.s[this.i + 1] === "(") {
        this.i += 2;
        this.substitution(b);
        literal = false;
        text += c + "(…)";
        continue;
      }
      if (c === "<" || c === ">" || c === "(") break;
      if (c === "\\") {
        if (this.s[this.i + 1] === "\n") {
          this.i += 2;
          continue;
        }
        if (this.i + 1 >= this.s.length) throw new Unparseable("trailing backslash");
        text += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === "'") {
        const end = this.s.indexOf("'", this.i + 1);
        if (end < 0) throw new Unparseable("unterminated single quote");
        text += this.s.slice(this.i + 1, end);
        this.i = end + 1;
        continue;
      }
      if (c === '"') {
        this.i++;
        for (;;) {
          if (this.eof) throw new Unparseable("unterminated double quote");
          const d = this.s[this.i]!;
          if (d === '"') {
            this.i++;
            break;
          }
          if (d === "\\") {
            const n = this.s[this.i + 1];
            if (n === undefined) throw new Unparseable("unterminated double quote");
            if (n === "\n") this.i += 2;
            else if (n === "$" || n === "`" || n === '"' || n === "\\") {
              text += n;
              this.i += 2;
            } else {
              text += "\\";
              this.i++;
            }
            continue;
          }
          if (d === "$" || d === "`") {
            const t = this.dollarOrBacktick(b);
            if (t !== null) {
              text += t;
              literal = false;
              continue;
            }
          }
          text += d;
          this.i++;
        }
        continue;
      }
      if (c === "$" || c === "`") {
        const t = this.dollarOrBacktick(b);
        if (t !== null) {
          text += t;
          literal = false;
          continue;
        }
      }
      if (c === "*" || c === "?" || c === "[" || (c === "~" && this.i === first)) {
        literal = false;
        b.expansion = true;
      }
      if (c === "{" && this.i === first) {
        // Brace expansion (`{a,b}`) is a bash feature; a plain `{` at the start of a word would be a group.
        if (/^\{[^}\s]*[,.][^}\s]*\}/.test(this.s.slice(this.i))) throw new Unparseable("brace expansion cannot be analysed");
      }
      text += c;
      this.i++;
    }
    return { text, literal };
  }

  /**
   * `$…` or a backtick at the cursor: consumes the expansion and returns its text as written, or
   * null when the `$` is a plain character.
   */
  private dollarOrBacktick(b: Building): string | null {
    const start = this.i;
    const c = this.s[this.i];
    if (c === "`") {
      this.i++;
      for (;;) {
        if (this.eof) throw new Unparseable("unterminated backtick");
        const d = this.s[this.i];
        if (d === "\\") this.i += 2;
        else if (d === "`") break;
        else this.i++;
      }
      const inner = this.s.slice(start + 1, this.i).replace(/\\([$`\\])/g, "$1");
      this.i++;
      b.commandSubstitution = true;
      this.nested(inner);
      return this.s.slice(start, this.i);
    }
    const n = this.s[this.i + 1];
    if (n === "(") {
      if (this.s[this.i + 2] === "(") throw new Unparseable('arithmetic expansion "$((…))" cannot be analysed');
      this.i += 2;
      this.substitution(b);
      return this.s.slice(start, this.i);
    }
    if (n === "{") {
      let depth = 0;
      this.i++;
      for (;;) {
        if (this.eof) throw new Unparseable('unterminated "${"');
        const d = this.s[this.i];
        if (d === "\\") {
          this.i += 2;
          continue;
        }
        if (d === "$" || d === "`") {
          if (this.dollarOrBacktick(b) !== null) continue;
        }
        if (d === "'" || d === '"') throw new Unparseable('quotes inside "${…}" cannot be analysed');
        if (d === "{") depth++;
        if (d === "}" && --depth === 0) {
          this.i++;
          break;
        }
        this.i++;
      }
      b.expansion = true;
      return this.s.slice(start, this.i);
    }
    if (n !== undefined && /[A-Za-z0-9_@*#?$!-]/.test(n)) {
      this.i += 2;
      if (/[A-Za-z_]/.test(n)) while (!this.eof && /[A-Za-z0-9_]/.test(this.s[this.i]!)) this.i++;
      b.expansion = true;
      return this.s.slice(start, this.i);
    }
    if (n === "'" || n === '"') throw new Unparseable(`"$${n}…" quoting cannot be analysed`);
    return null;
  }

  /** The commands of `$(…)` / `<(…)` after the opening parenthesis, up to and past the closing one. */
  private substitution(b: Building): void {
    b.commandSubstitution = true;
    this.substituting++;
    this.grouping++;
    this.list(")");
    this.grouping--;
    this.substituting--;
  }

  private nested(inner: string): void {
    const p = new Parser(inner);
    p.substituting = 1;
    p.grouping = 1;
    p.list(null);
    if (p.heredocs.length) throw new Unparseable("here-document inside backticks is not terminated");
    for (const seg of p.out) this.out.push(seg);
  }

  finish(): void {
    if (this.heredocs.length) throw new Unparseable(`here-document "${this.heredocs[0]!.delim}" is not terminated`);
  }
}

/**
 * Splits a command line into its commands. `ok: false` (with the reason) when any part of it is
 * beyond this parser: such a line must never be treated as understood.
 */
export function analyzeShell(command: string): ShellAnalysis {
  const p = new Parser(command);
  try {
    p.list(null);
    p.finish();
  } catch (err) {
    if (err instanceof Unparseable) return { ok: false, reason: err.message, segments: p.out };
    throw err;
  }
  if (!p.out.length) return { ok: false, reason: "empty command", segments: [] };
  return { ok: true, segments: p.out };
}
