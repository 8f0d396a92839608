// Placeholder: the PNG shim (issue 3) replaces this file.
int cpng_placeholder(void);
