"""The ``capeval`` command line: each subcommand parses options, calls the library, prints."""
