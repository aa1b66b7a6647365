"""The party's rules, written once: every channel and the command line go through here."""
