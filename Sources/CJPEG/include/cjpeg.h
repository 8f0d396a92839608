// Placeholder: the JPEG shim (issue 3) replaces this file.
int cjpeg_placeholder(void);
