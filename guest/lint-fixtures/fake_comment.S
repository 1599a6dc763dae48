/* Adds a second compiler string to a payload's .comment (XLP008). */
        .section .comment, "MS", @progbits, 1
        .asciz "GCC: (xlp lint fixture) 99.1.0"
        .section .note.GNU-stack, "", @progbits
