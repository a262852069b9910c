# SPDX-License-Identifier: MIT
# fish completion for locus(1): the candidates come from `locus --complete-words`
# (see contrib/locus.bash-completion for the protocol).
function __locus_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    for c in (locus --complete-words -- $words 2>/dev/null)
        switch $c
            case @files
                __fish_complete_path (commandline -ct)
            case @dirs
                __fish_complete_directories (commandline -ct)
            case @commands
                __fish_complete_command
            case '@*'
            case '*'
                echo $c
        end
    end
end
complete -c locus -f -a '(__locus_complete)'
