'use strict';
// framework.js: the CLI's command framework, on Node's own util.parseArgs. It replaces commander,
// whose loading cost ~14 ms of every start (`keryx status` runs from shell prompts and cron).
// A Program has global options and commands; a command has positional `args`, parseArgs `options`
// (plus description, default and value name), optional `subcommands`, help text and an `action`.
// A command with both `subcommands` and an `action` (`keryx auth <platform>` / `keryx auth refresh`)
// runs a subcommand when its first word names one, else takes that word as its own argument. The
// last of `args` may be `variadic` (`keryx exec <platform> -- <command...>`): it takes every
// remaining positional, including everything after `--`, which is never parsed as an option.
// Parsing is strict: every problem with the command line is a one-line UsageError (exit 2).
const { parseArgs } = require('node:util');

const WIDTH = 80; // help wraps here whatever the terminal, so it reads the same in docs and tests
const LABEL_MAX = 30; // longer option or command labels get a line of their own in help
// A negative number is an argument (`keryx config set offset -5`), not an unknown short option.
// While parseArgs runs it carries a NUL prefix, which no real argument can contain.
const NEGATIVE_NUMBER = /^-(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const MARK = '\u0000';

const HELP = { type: 'boolean', short: 'h', description: 'display help for command' };

/**
 * withOptionalValues: an option whose definition has `optionalValue: RegExp` takes the next
 * argument only when it matches; otherwise it gets '' (`--sandbox` vs `--sandbox http://...`).
 */
function withOptionalValues(args, options) {
  const out = [];
  args.forEach((a, i) => {
    const o = a.startsWith('--') ? options[a.slice(2)] : undefined;
    const takes = o && o.optionalValue instanceof RegExp && i + 1 < args.length && o.optionalValue.test(args[i + 1]);
    out.push(o && o.optionalValue instanceof RegExp && !takes ? `${a}=` : a);
  });
  return out;
}

/** UsageError: the command line does not parse; `Program.parse` reports it and returns 2. */
class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
    this.code = 'usage';
  }
}

const unmark = (v) => (Array.isArray(v) ? v.map(unmark) : typeof v === 'string' && v.startsWith(MARK) ? v.slice(1) : v);
const camel = (name) => name.replace(/-([a-z])/g, (m, c) => c.toUpperCase());
const definition = (entry) => (entry.load ? (entry.def ??= entry.load()) : entry);

/** toParseArgs: the parseArgs view of option definitions (type, short, multiple, default). */
function toParseArgs(options) {
  const out = {};
  for (const [name, { type, short, multiple, default: value }] of Object.entries(options)) {
    out[name] = { type, ...(short && { short }), ...(multiple && { multiple }), ...(value !== undefined && { default: value }) };
  }
  return out;
}

const optionLabel = (name, o) =>
  `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? (o.optionalValue ? ` [${o.valueName || 'value'}]` : ` <${o.valueName || 'value'}>`) : ''}`;
const argLabel = (a) => (a.variadic ? ` -- ${a.required ? `<${a.name}...>` : `[${a.name}...]`}` : a.required ? ` <${a.name}>` : ` [${a.name}]`);
const argsLabel = (args = []) => args.map(argLabel).join('');
const commandLabel = (c) =>
  `${c.name}${c.options && Object.keys(c.options).length ? ' [options]' : ''}${argsLabel(c.args)}${c.subcommands && !c.action ? ' <command>' : ''}`;

/** wrap: `text` as lines of at most `width` characters, broken at spaces, keeping its newlines. */
function wrap(text, width) {
  const lines = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines;
}

/** usageMessage: a parseArgs error (ERR_PARSE_ARGS_*) as one short line naming the option. */
function usageMessage(err, options) {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${unmark(quoted)}'`;
  const name = /--([^\s',=<]+)/.exec(quoted)?.[1];
  const o = err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name && options[name];
  if (o && o.type === 'boolean') return `option '--${name}' takes no value`;
  if (o && /ambiguous/.test(err.message)) return `option '${optionLabel(name, o)}' argument missing (a value starting with '-' is written --${name}=<${o.valueName || 'value'}>)`;
  if (o) return `option '${optionLabel(name, o)}' argument missing`;
  return unmark(err.message.split(/\.\s|\n/)[0]).replace(/^\w/, (c) => c.toLowerCase());
}

/**
 * Program: a command-line program. `new Program({ name, description, version, options, helpAfter,
 * run })`: `version` (string or function) adds -V/--version; `options` are global (valid before or
 * after the command); `run(action, context)` wraps every action (default: calls it) and returns
 * the exit status. Add commands with `command(def)`, then `await parse(argv)` for the exit status.
 */
class Program {
  constructor({ name, description, version, options = {}, helpAfter, run }) {
    this.root = { name, description, helpAfter, subcommands: [] };
    this.version = version;
    const versionOption = version ? { version: { type: 'boolean', short: 'V', description: `print the ${name} version` } } : {};
    this.globals = { ...versionOption, ...options, help: HELP };
    this.run = run || ((action, context) => action(context));
  }

  /**
   * command: adds a command, chainable: `command(def)`, or `command(name, load)` where `load()`
   * returns the definition and runs only when that command is used or help lists every command
   * (so `keryx status` never loads the other commands' modules).
   */
  command(def, load) {
    this.root.subcommands.push(typeof def === 'string' ? { name: def, load } : def);
    return this;
  }

  /** strict: parseArgs in strict mode, its errors as UsageError (or a help request if -h is there). */
  strict(args, options) {
    args = withOptionalValues(args, options);
    try {
      return parseArgs({ args, options: toParseArgs(options), strict: true, allowPositionals: true });
    } catch (err) {
      if (!String(err.code).startsWith('ERR_PARSE_ARGS_')) throw err;
      const { values } = parseArgs({ args, options: toParseArgs(options), strict: false, allowPositionals: true });
      if (values.help === true) return { values: { help: true }, positionals: [] };
      throw new UsageError(usageMessage(err, options));
    }
  }

  /** resolve: walks the command words of `args` down to a command; `keryx help a b` asks for help. */
  resolve(args) {
    let node = this.root;
    const path = [this.root.name];
    let helping = false;
    while (node.subcommands) {
      const options = { ...this.globals, ...node.options };
      const { tokens } = parseArgs({ args, options: toParseArgs(options), strict: false, allowPositionals: true, tokens: true });
      const word = tokens.find((t) => t.kind === 'positional');
      if (!word) {
        this.strict(args, options);
        break;
      }
      const child = node.subcommands.find((c) => c.name === word.value);
      // A command that also runs by itself takes an unknown word as its own argument.
      if (!child && node.action && !(word.value === 'help' && !helping)) break;
      this.strict(args.slice(0, word.index), options); // options before the word
      args = [...args.slice(0, word.index), ...args.slice(word.index + 1)];
      if (!child && word.value === 'help' && !helping) {
        helping = true;
        continue;
      }
      if (!child) throw new UsageError(`unknown command '${unmark(word.value)}'`);
      node = definition(child);
      path.push(child.name);
    }
    if (helping) return { node, path, help: true };
    const options = { ...this.globals, ...node.options };
    const { values, positionals } = this.strict(args, options);
    return { node, path, values, positionals: unmark(positionals), help: values.help, version: values.version };
  }

  /** help: the help text of a command (or of the program when `node` is its root). */
  help(node, path) {
    const root = node === this.root;
    const options = root ? this.globals : { ...node.options, help: HELP };
    const sections = { Arguments: [], Options: [], Commands: [] };
    for (const a of node.args || []) if (a.description) sections.Arguments.push([a.name, a.description]);
    for (const [name, o] of Object.entries(options)) {
      sections.Options.push([optionLabel(name, o), `${o.description}${o.default !== undefined ? ` (default: ${JSON.stringify(o.default)})` : ''}`]);
    }
    for (const c of (node.subcommands || []).map(definition)) sections.Commands.push([commandLabel(c), c.summary]);
    if (node.subcommands) sections.Commands.push(['help [command]', 'display help for command']);
    // A label longer than LABEL_MAX goes on a line of its own, so one long label (exec's) does
    // not squeeze every description into a narrow column.
    const pad = Math.max(...Object.values(sections).flat().map(([label]) => label.length).filter((n) => n <= LABEL_MAX), 0) || LABEL_MAX;
    let usage = `${path.join(' ')} [options]${node.subcommands && !node.action ? ' <command>' : argsLabel(node.args)}`;
    if (node.subcommands && node.action) usage += `\n   or: ${path.join(' ')} <command> [options]`;
    let text = `Usage: ${usage}\n\n${wrap(node.description || node.summary, WIDTH).join('\n')}\n`;
    for (const [title, rows] of Object.entries(sections)) {
      if (!rows.length) continue;
      const lines = rows.map(([label, description]) => {
        const [first, ...more] = wrap(description, Math.max(WIDTH - pad - 4, 30));
        const head = label.length > pad ? [`  ${label}`, `${' '.repeat(pad + 4)}${first}`] : [`  ${label.padEnd(pad)}  ${first}`];
        return [...head, ...more.map((l) => `${' '.repeat(pad + 4)}${l}`)].join('\n');
      });
      text += `\n${title}:\n${lines.join('\n')}\n`;
    }
    if (node.helpAfter) text += `\n${node.helpAfter}\n`;
    const examples = node.examples || [];
    if (examples.length) text += `\n${examples.length === 1 ? 'Example' : 'Examples'}:\n${examples.map((e) => `  ${e}`).join('\n')}\n`;
    return text;
  }

  /**
   * parse: runs the command named by `argv` (the arguments after the script) and resolves to the
   * exit status: the action's (through `run`), 0 after --help/--version, 2 for a usage error
   * (reported on `stderr` as one line and a pointer to --help) or a missing command (help on stderr).
   */
  async parse(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
    const end = argv.indexOf('--');
    const args = argv.map((a, i) => ((end < 0 || i < end) && NEGATIVE_NUMBER.test(a) ? MARK + a : a));
    try {
      const call = this.resolve(args);
      const { node, path, values, positionals } = call;
      if (call.help || call.version) {
        stdout.write(call.help ? this.help(node, path) : `${typeof this.version === 'function' ? this.version() : this.version}\n`);
        return 0;
      }
      if (node.subcommands && !node.action) {
        stderr.write(this.help(node, path)); // no command given: show what there is
        return 2;
      }
      const expected = node.args || [];
      const missing = expected.find((a, i) => a.required && i >= positionals.length);
      if (missing) throw new UsageError(`missing required argument '${missing.name}'`);
      const variadic = expected.length > 0 && expected[expected.length - 1].variadic;
      if (!variadic && positionals.length > expected.length) {
        const n = expected.length;
        throw new UsageError(`too many arguments for '${path.slice(1).join(' ')}'. Expected ${n} argument${n === 1 ? '' : 's'} but got ${positionals.length}.`);
      }
      const options = {};
      for (const [name, value] of Object.entries(values)) if (name !== 'help' && name !== 'version') options[camel(name)] = unmark(value);
      return await this.run(node.action, { options, args: positionals, command: path.slice(1).join(' ') });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      stderr.write(`error: ${err.message}\n(run ${this.root.name} --help for usage)\n`);
      return 2;
    }
  }
}

module.exports = { Program, UsageError };
