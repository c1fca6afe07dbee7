/* The `skiff` executable: everything lives in skiff-host-core so the tests
 * can link the same code. */
#include "cli.h"

int main(int argc, char **argv)
{
    return sk_cli_main(argc, argv);
}
