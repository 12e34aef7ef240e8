# bash completion for ledgerbridge: commands, subcommands and options, read from the program's
# own `--help` (generated from its command tree), so completion cannot drift from what the
# installed binary accepts. Option values: files for --config, folders for --state-dir, the
# levels and formats, and connection names from the configuration file's [connection.NAME]
# sections. Needs nothing from the bash-completion package (it uses it when present).
# Installed as share/bash-completion/completions/ledgerbridge.

# The configuration file the command line being completed would use.
_ledgerbridge_config_file() {
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
            --config) printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
            --config=*) printf '%s\n' "${COMP_WORDS[i]#--config=}"; return ;;
        esac
    done
    printf '%s\n' "${LEDGERBRIDGE_CONFIG:-ledgerbridge.ini}"
}

_ledgerbridge() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local program=${COMP_WORDS[0]}
    COMPREPLY=()

    case $prev in
        --config)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --state-dir)
            COMPREPLY=($(compgen -d -- "$cur"))
            return ;;
        --log-level)
            COMPREPLY=($(compgen -W "debug info warn error" -- "$cur"))
            return ;;
        --log-format)
            COMPREPLY=($(compgen -W "human json auto" -- "$cur"))
            return ;;
        --environment)
            COMPREPLY=($(compgen -W "staging production $(sed -n 's/^[[:space:]]*\[environment\.\([^]]*\)\].*/\1/p' \
                "$(_ledgerbridge_config_file)" 2>/dev/null)" -- "$cur"))
            return ;;
        --connection)
            COMPREPLY=($(compgen -W "$(sed -n 's/^[[:space:]]*\[connection\.\([^]]*\)\].*/\1/p' \
                "$(_ledgerbridge_config_file)" 2>/dev/null)" -- "$cur"))
            return ;;
    esac

    # The command words typed so far (options and their values left out), to ask the right
    # level of the tree for its --help.
    local words=() i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            --config | --environment | --state-dir | --log-level | --log-format | --connection | --limit | \
                --to | --timeout) ((i++)) ;;
            -*) ;;
            *) words+=("$word") ;;
        esac
    done
    local help
    help=$("$program" "${words[@]}" --help 2>/dev/null) || return 0

    if [[ $cur == -* ]]; then
        # Every "--name" at the start of an option line (Options: and Global options:).
        COMPREPLY=($(compgen -W "$(sed -n 's/^  \(--[a-z][a-z-]*\).*/\1/p' <<<"$help")" -- "$cur"))
    else
        # The names listed under "Commands:" (indented by two spaces, up to the blank line).
        COMPREPLY=($(compgen -W "$(sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$help")" -- "$cur"))
    fi
}

complete -o default -F _ledgerbridge ledgerbridge
