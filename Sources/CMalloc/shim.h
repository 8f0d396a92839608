// glibc's malloc tuning (mallopt, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD), which Swift's Glibc
// module does not export. Used by `triage` and `suite-bench imaging` to keep freed image buffers mapped
// (Sources/Imaging/AllocatorTuning.swift).
#include <malloc.h>
