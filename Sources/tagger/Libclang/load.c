/* dladdr (glibc declares it only with _GNU_SOURCE). */
#define _GNU_SOURCE
#include "CLibclang.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tagger_clang_api api;
static const struct tagger_clang_api *loaded;
static char message[2048];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char fallback[1024];
static int attempted;

/* The tested version first; the unversioned names last because only -dev packages install
 * them.  FALLBACK marks where tagger_clang_set_fallback's library is tried. */
static const char FALLBACK[] = "(fallback)";
static const char *const candidates[] = {
	"libclang-14.so.1", "libclang-14.so.13", "libclang-15.so.1", "libclang-16.so.1",
	"libclang-17.so.1", "libclang-18.so.1", "libclang-19.so.1", "libclang-13.so.1",
	"libclang.so.1", "/usr/lib/llvm-14/lib/libclang.so.1", FALLBACK, "libclang-14.so", "libclang.so",
};

int tagger_clang_set_fallback(const char *path)
{
	if (__atomic_load_n(&attempted, __ATOMIC_ACQUIRE) || path == NULL || strlen(path) >= sizeof fallback)
		return -1;
	strcpy(fallback, path);
	return 0;
}

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
	__atomic_store_n(&attempted, 1, __ATOMIC_RELEASE);
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
		const char *name = candidates[i] == FALLBACK ? fallback : candidates[i];
		if (*name == '\0')
			continue;
		void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
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
			 "libclang not found (tried libclang-14.so.1 and other versions%s%s); install it with "
			 "`apt-get install -y libclang1-14 libclang-common-14-dev` (or libclang-14-dev), "
			 "or set TAGGER_LIBCLANG=/path/to/libclang.so",
			 *fallback ? ", and " : "", fallback);
}

const char *tagger_clang_library_path(void)
{
	static char path[PATH_MAX];
	Dl_info info;
	if (tagger_clang_load(NULL) == NULL || dladdr((void *)api.createIndex, &info) == 0 || info.dli_fname == NULL)
		return NULL;
	if (realpath(info.dli_fname, path) == NULL)
		return NULL;
	return path;
}

const struct tagger_clang_api *tagger_clang_load(const char **error)
{
	pthread_once(&once, load);
	if (loaded == NULL && error != NULL)
		*error = message;
	return loaded;
}
