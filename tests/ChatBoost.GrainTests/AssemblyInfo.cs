// The fixtures of this assembly each host an in-process Orleans silo; their collections run one after
// another so that two silos never start in one test process at the same time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
