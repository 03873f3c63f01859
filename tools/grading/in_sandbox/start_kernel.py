"""Start one grading kernel: `python start_kernel.py --token-key-file KEY -f CONNECTION_FILE` (see grading_kernel.boot)."""
import sys

from grading_kernel.boot import main

if __name__ == "__main__":
    main(sys.argv[1:])
