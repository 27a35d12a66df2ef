from metastudio_emulator.cli import main

raise SystemExit(main())
