// Nothing to compile: libfuzzer.h declares what the sanitizer runtime defines.
#include "libfuzzer.h"
