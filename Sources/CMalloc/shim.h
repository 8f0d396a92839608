// glibc's malloc tuning (mallopt, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD), which Swift's Glibc
// module does not export. Used by `triage batch` to keep freed image buffers mapped
// (apps/triage/TriageCore/Batch/AllocatorTuning.swift).
#include <malloc.h>
