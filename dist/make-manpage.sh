#!/usr/bin/env bash
# Writes a man page (roff) for custos to standard output from the binary's own help:
# `custos --help` and `custos help SUBCOMMAND` for each subcommand it lists.
# Usage: dist/make-manpage.sh PATH/TO/custos > custos.1
set -euo pipefail
BIN=${1:?usage: make-manpage.sh PATH/TO/custos}
[ -x "$BIN" ] || { echo "make-manpage: $BIN is not executable" >&2; exit 2; }

# Help text as roff: literal lines (no fill), backslashes doubled, a leading . or ' escaped.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
help_text() { COLUMNS=80 "$BIN" "$@" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g'; }

main=$(help_text --help)
version=$("$BIN" --version)
abstract=$(printf '%s\n' "$main" | sed -n 's/^OVERVIEW: //p' | head -1)
# Subcommand names: the indented first words under SUBCOMMANDS:, up to the next blank line.
subcommands=$(printf '%s\n' "$main" | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^$/ { exit }
  on && /^  [a-z]/ { print $1 }')
[ -n "$subcommands" ] || { echo "make-manpage: no SUBCOMMANDS in $BIN --help" >&2; exit 1; }
date=${SOURCE_DATE_EPOCH:+$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)}
date=${date:-$(date -u +%Y-%m-%d)}

printf '.TH CUSTOS 1 "%s" "%s" "User Commands"\n' "$date" "$version"
printf '.SH NAME\ncustos \\- %s\n' "$(printf '%s' "${abstract:-find leaked credentials}" | roff)"
printf '.SH SYNOPSIS\n.B custos\n.I subcommand\n[\\fIoptions\\fR]\n'
printf '.SH DESCRIPTION\n.nf\n'
printf '%s\n' "$main" | roff
printf '.fi\n'
subcommands_of() { awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }'; }
for sub in $subcommands; do
  text=$(help_text help "$sub")
  printf '.SH "custos %s"\n.nf\n' "$sub"
  printf '%s\n' "$text" | roff
  printf '.fi\n'
  # One level deeper: baseline create, owners check, rules list, …
  for nested in $(printf '%s\n' "$text" | subcommands_of); do
    printf '.SS "custos %s %s"\n.nf\n' "$sub" "$nested"
    help_text help "$sub" "$nested" | roff
    printf '.fi\n'
  done
done
printf '.SH FILES\n.TP\n.I ~/.cache/custos\nthe compiled Vectorscan database ($XDG_CACHE_HOME, $CUSTOS_CACHE_DIR)\n'
printf '.TP\n.I /etc/default/custos-sweep\nshares and options of custos-sweep.service (the .deb)\n'
printf '.SH VERSION\n%s\n' "$version"
