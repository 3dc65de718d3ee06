/* zlib for the git pack reader. ZIPFoundation brings a module named CZlib over the same
   library; this one has its own name so both can be built into one binary. */
#include <zlib.h>
