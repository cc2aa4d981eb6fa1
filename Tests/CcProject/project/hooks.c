#include <stdlib.h>
#include "api.h"

struct hooks default_hooks = { .allocate = malloc, .release = free };
