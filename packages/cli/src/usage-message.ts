import { buildParser, type ChosenCommand, COMMAND_NAMES } from './cli-parser.js';
import { closest } from './did-you-mean.js';

/**
 * A parser error reworded for a person (issue 19): an unknown command or flag names what was
 * typed, as typed, with the closest command or flag ("did you mean"), in one line. yargs' own
 * wording (`Unknown arguments: out, exprt`, every flag of a mistyped command listed as unknown,
 * each camelCase twin too) is kept only for the errors this does not recognise.
 *
 * @example
 * ```ts
 * await usageMessage('Unknown arguments: out, exprt', ['exprt', '--out', 'lake']);
 * // 'unknown command "exprt" (did you mean "export"? commands: export, convert, schema, simulate)'
 * ```
 */
export async function usageMessage(message: string, argv: readonly string[]): Promise<string> {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !isCommand(first)) {
    const guess = closest(first, COMMAND_NAMES);
    return `unknown command "${first}" (${guess ? `did you mean "${guess}"? ` : ''}commands: ${COMMAND_NAMES.join(', ')})`;
  }
  const unknown = /^Unknown arguments?: (.*)$/.exec(message)?.[1];
  if (unknown === undefined) return message.replace(/\n\s*/g, ' ');
  const typed = new Set(argv.filter((a) => a.startsWith('-')).map((a) => a.replace(/^-+/, '').split('=')[0]));
  // yargs lists `page-sise` and its camelCase twin `pageSise`: keep the names that were typed.
  const names = unknown.split(', ').filter((name) => typed.has(name));
  if (names.length === 0) return message.replace(/\n\s*/g, ' ');
  const flags = (await flagsOf(isCommand(first) ? first : undefined)).map((f) => `--${f}`);
  const parts = names.map((name) => {
    const guess = closest(`--${name}`, flags);
    return `--${name}${guess ? ` (did you mean ${guess}?)` : ''}`;
  });
  return `unknown flag${parts.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

function isCommand(word: string | undefined): word is ChosenCommand['name'] {
  return COMMAND_NAMES.includes(word as ChosenCommand['name']);
}

/** The flags a command accepts (the top level's without one), asked of the parser itself. */
async function flagsOf(command: ChosenCommand['name'] | undefined): Promise<string[]> {
  let flags: string[] = ['help', 'version'];
  const parser = buildParser(
    () => undefined,
    '0',
    100,
    (_name, list) => {
      flags = list;
    },
  );
  await new Promise<void>((resolve) => {
    parser.parse(command ? [command] : [], {}, () => resolve());
  });
  // Single letters (`-h`) are aliases; suggest the long names.
  return flags.filter((f) => f.length > 1 && !/[A-Z]/.test(f));
}
