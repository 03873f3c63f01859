"""Start a worker's fork server: `python start_fork_server.py [--empty FOLDER ...]` (see grading_kernel.fork_server)."""
import sys

from grading_kernel.fork_server import main

if __name__ == "__main__":
    main(sys.argv[1:])
