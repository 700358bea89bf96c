"""The stages of the flow, one module each: pure frames->frames functions plus a thin step reading and writing
the run's build file. ``pipelines.steps`` declares them; ``pipelines.plan`` orders them."""
