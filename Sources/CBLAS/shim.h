// OpenBLAS's CBLAS interface (Debian: libopenblas-dev).
// Included as is: cblas.h also declares openblas_set_num_threads, the one
// non-standard call we need, to honour the suite's --threads knob.
#include <cblas.h>
