package bench

// SampleHeap is sampleHeap for the package's external tests.
var SampleHeap = sampleHeap
