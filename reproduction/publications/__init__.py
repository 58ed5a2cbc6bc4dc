"""The paper's tables and figures, and this project's additions to them, written into results/ from finished
runs (or their records): Table 1 and Figure 2 (Section 4), Figure 3, the real-world tables (Section 5), COCO
under Texygen's protocol, the frontier, the trajectories and the gain's rows. Reads runs; trains nothing."""
