/**
 * The bash completion of `vigil`, written from the commander program's tree (packaging/cli-tree.ts) at package
 * time. commander has no generator of its own, and the completion libraries (tabtab, omelette) answer by running
 * the program at every TAB; a static script costs nothing and knows every command and option of this build.
 */
import { allCommands, type CliCommand } from './cli-tree.js';

/** A placeholder naming something on disk: its option's value completes as a file name. */
const PATH_VALUE = /file|path|dir|recording|scenario|socket/i;

/** A word safe inside a bash double-quoted case pattern and a compgen -W list (commands and options are). */
function word(text: string): string {
  if (!/^[A-Za-z0-9_.:=-]+$/.test(text)) throw new Error(`not a plain word for the completion script: ${text}`);
  return text;
}

export function bashCompletion(tree: CliCommand): string {
  const commands = allCommands(tree);
  const key = (c: CliCommand): string => c.path.map(word).join(' ');
  const descend = commands
    .flatMap((c) => c.commands.map((sub) => `      "${key(c)} ${word(sub.path.at(-1)!)}") path="$path $w" ;;`))
    .join('\n');
  const valued = commands.flatMap((c) =>
    c.options.filter((o) => o.value !== undefined).flatMap((o) => [o.short, o.long].filter((n): n is string => n !== undefined).map((n) => ({ c, n, o }))),
  );
  const fileValues = valued.filter((v) => PATH_VALUE.test(v.o.value!)).map((v) => `"${key(v.c)}:${word(v.n)}"`);
  const otherValues = valued.filter((v) => !PATH_VALUE.test(v.o.value!)).map((v) => `"${key(v.c)}:${word(v.n)}"`);
  const lists = commands
    .map((c) => {
      const subs = c.commands.map((s) => word(s.path.at(-1)!)).join(' ');
      const opts = c.options.flatMap((o) => [o.short, o.long]).filter((n): n is string => n !== undefined).map(word).join(' ');
      // A command taking a path argument (a scenario, a recording) completes file names after its options.
      const files = c.arguments.some((a) => PATH_VALUE.test(`${a.name} ${a.description}`)) ? 1 : 0;
      return `    "${key(c)}") subs="${subs}" opts="${opts}" files=${files} ;;`;
    })
    .join('\n');
  return `# bash completion for vigil(8), generated from its command line program (packaging/completion.ts).
_vigil() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="vigil" w i subs="" opts="" files=0
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The command so far: the subcommand words typed before the cursor.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$path $w" in
${descend}
    esac
  done
  # The value of an option that takes one.
  case "$path:$prev" in
    ${fileValues.length > 0 ? fileValues.join('|') : '"-"'})
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0 ;;
    ${otherValues.length > 0 ? otherValues.join('|') : '"-"'})
      COMPREPLY=()
      return 0 ;;
  esac
  case "$path" in
${lists}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif ((files)); then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=()
  fi
  return 0
}
complete -F _vigil vigil
`;
}
