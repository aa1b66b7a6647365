"""`python -m bot` is the same as the `sotay` command."""

from bot.cli import main

main()
