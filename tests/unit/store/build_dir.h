/* Where the build tree is, for tests and the bench that run its binaries. */
#ifndef SK_STORE_TEST_BUILD_DIR_H
#define SK_STORE_TEST_BUILD_DIR_H

/* $SKIFF_BUILD_DIR (set by CTest), else the parent of the directory that
 * holds the running binary (<build>/tests or <build>/bin). */
const char *th_build_dir(void);

#endif
