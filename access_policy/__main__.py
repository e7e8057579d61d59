"""`python -m access_policy` runs the command line."""

from access_policy.cli import main

if __name__ == "__main__":
    main()
