import sys

from rankandfile.counting.cli import main

sys.exit(main())
