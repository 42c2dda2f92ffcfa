import sys

from rankandfile.cli import main

sys.exit(main())
