import sys

from ilp_metrics.cli import main

sys.exit(main())
