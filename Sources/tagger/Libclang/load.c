#include "CLibclang.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tagger_clang_api api;
static const struct tagger_clang_api *loaded;
static char message[2048];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Newest first; the unversioned names last because only -dev packages install them. */
static const char *const candidates[] = {
	"libclang-14.so.1", "libclang-14.so.13", "libclang-15.so.1", "libclang-16.so.1",
	"libclang-17.so.1", "libclang-18.so.1", "libclang-19.so.1", "libclang-13.so.1",
	"libclang.so.1", "/usr/lib/llvm-14/lib/libclang.so.1", "libclang-14.so", "libclang.so",
};

static int bind(void *handle)
{
	struct { void **slot; const char *name; } table[] = {
#define B(field) { (void **)&api.field, "clang_" #field }
		B(createIndex), B(disposeIndex), B(parseTranslationUnit2), B(disposeTranslationUnit),
		B(getTranslationUnitCursor), B(visitChildren), B(getCursorKind), B(getCursorSpelling),
		B(getCursorExtent), B(getCursorLocation), B(getCursorReferenced), B(getCanonicalCursor), B(getCursorDefinition),
		B(equalCursors), B(Cursor_isNull), B(isCursorDefinition), B(Cursor_getStorageClass),
		B(Cursor_isMacroFunctionLike), B(getCursorResultType), B(getCursorType),
		B(getCanonicalType), B(getPointeeType), B(getTypeDeclaration), B(getCursorUSR), B(getCursorSemanticParent), B(getRangeStart), B(getRangeEnd),
		B(getFileLocation), B(getExpansionLocation), B(Location_isInSystemHeader),
		B(getFileName), B(getSkippedRanges), B(disposeSourceRangeList), B(getFile), B(getIncludedFile),
		B(getNumDiagnostics), B(getDiagnostic), B(getDiagnosticSeverity),
		B(getDiagnosticLocation), B(getDiagnosticSpelling), B(disposeDiagnostic),
		B(getCString), B(disposeString),
#undef B
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		*table[i].slot = dlsym(handle, table[i].name);
		if (*table[i].slot == NULL) {
			snprintf(message, sizeof message, "libclang lacks %s (too old?)", table[i].name);
			return -1;
		}
	}
	return 0;
}

static void load(void)
{
	const char *env = getenv("TAGGER_LIBCLANG");
	if (env != NULL && *env != '\0') {
		void *handle = dlopen(env, RTLD_NOW | RTLD_LOCAL);
		if (handle == NULL) {
			snprintf(message, sizeof message, "cannot load TAGGER_LIBCLANG=%s: %s", env, dlerror());
			return;
		}
		if (bind(handle) == 0)
			loaded = &api;
		return;
	}
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		void *handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
		if (handle == NULL)
			continue;
		if (bind(handle) == 0) {
			loaded = &api;
			return;
		}
		dlclose(handle);
	}
	if (message[0] == '\0')
		snprintf(message, sizeof message,
			 "libclang not found (tried libclang-14.so.1 and other versions); install it with "
			 "`apt-get install -y libclang1-14 libclang-common-14-dev` (or libclang-14-dev), "
			 "or set TAGGER_LIBCLANG=/path/to/libclang.so");
}

const struct tagger_clang_api *tagger_clang_load(const char **error)
{
	pthread_once(&once, load);
	if (loaded == NULL && error != NULL)
		*error = message;
	return loaded;
}
