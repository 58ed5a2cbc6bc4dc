"""Many runs at once: the plan of a sweep (which run waits for which shared pretraining), training it locally
or as Ray tasks, where it stands (`reproduce --status`), and the records that keep a finished run in results/
so that a later sweep restores it instead of retraining it."""
