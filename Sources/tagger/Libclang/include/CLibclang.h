/*
 * CLibclang.h - the few entry points of libclang's stable C API that tagger uses,
 * declared by this project from the documented ABI (libclang's C interface is
 * ABI-stable since clang 3.x), and loaded at run time with dlopen so the package
 * builds without libclang's headers and a missing library is a clear run-time error.
 */
#ifndef TAGGER_CLIBCLANG_H
#define TAGGER_CLIBCLANG_H

#include <stddef.h>

typedef void *TCXIndex;
typedef void *TCXTranslationUnit;
typedef void *TCXFile;
typedef void *TCXDiagnostic;
typedef void *TCXClientData;

typedef struct { const void *data; unsigned private_flags; } TCXString;
typedef struct { int kind; int xdata; const void *data[3]; } TCXCursor;
typedef struct { const void *ptr_data[2]; unsigned int_data; } TCXSourceLocation;
typedef struct { const void *ptr_data[2]; unsigned begin_int_data; unsigned end_int_data; } TCXSourceRange;
typedef struct { unsigned count; TCXSourceRange *ranges; } TCXSourceRangeList;
typedef struct { int kind; void *data[2]; } TCXType;
typedef struct { const char *Filename; const char *Contents; unsigned long Length; } TCXUnsavedFile;

/* enum CXChildVisitResult (*)(CXCursor cursor, CXCursor parent, CXClientData data) */
typedef int (*TCXCursorVisitor)(TCXCursor cursor, TCXCursor parent, TCXClientData data);

#define TCX_TU_DetailedPreprocessingRecord 0x01
#define TCX_TU_KeepGoing 0x200
#define TCX_Visit_Break 0
#define TCX_Visit_Continue 1
#define TCX_Visit_Recurse 2
#define TCX_SC_Static 3
#define TCX_Diag_Ignored 0
#define TCX_Diag_Note 1
#define TCX_Diag_Warning 2
#define TCX_Diag_Error 3
#define TCX_Diag_Fatal 4

/* Cursor and type kinds used (values of enum CXCursorKind / CXTypeKind). */
#define TCXC_UnexposedDecl 1
#define TCXC_StructDecl 2
#define TCXC_UnionDecl 3
#define TCXC_FieldDecl 6
#define TCXC_FunctionDecl 8
#define TCXC_VarDecl 9
#define TCXC_ParmDecl 10
#define TCXC_MemberRef 47
#define TCXC_UnexposedExpr 100
#define TCXC_DeclRefExpr 101
#define TCXC_MemberRefExpr 102
#define TCXC_CallExpr 103
#define TCXC_ParenExpr 111
#define TCXC_UnaryOperator 112
#define TCXC_BinaryOperator 114
#define TCXC_CompoundAssignOperator 115
#define TCXC_ConditionalOperator 116
#define TCXC_CStyleCastExpr 117
#define TCXC_InitListExpr 119
#define TCXC_CompoundStmt 202
#define TCXC_ReturnStmt 214
#define TCXC_DeclStmt 231
#define TCXC_TranslationUnit 300
#define TCXC_MacroDefinition 501
#define TCXC_MacroExpansion 502
#define TCXC_InclusionDirective 503
#define TCXT_Void 2
#define TCXT_Pointer 101
#define TCXT_FunctionNoProto 110
#define TCXT_FunctionProto 111

/* Function table filled by tagger_clang_load(). */
struct tagger_clang_api {
	TCXIndex (*createIndex)(int excludeDeclarationsFromPCH, int displayDiagnostics);
	void (*disposeIndex)(TCXIndex);
	int (*parseTranslationUnit2)(TCXIndex, const char *source, const char *const *args, int nargs,
				     TCXUnsavedFile *unsaved, unsigned nunsaved, unsigned options,
				     TCXTranslationUnit *out);
	void (*disposeTranslationUnit)(TCXTranslationUnit);
	TCXCursor (*getTranslationUnitCursor)(TCXTranslationUnit);
	unsigned (*visitChildren)(TCXCursor, TCXCursorVisitor, TCXClientData);
	int (*getCursorKind)(TCXCursor);
	TCXString (*getCursorSpelling)(TCXCursor);
	TCXSourceRange (*getCursorExtent)(TCXCursor);
	TCXSourceLocation (*getCursorLocation)(TCXCursor);
	TCXCursor (*getCursorReferenced)(TCXCursor);
	TCXCursor (*getCanonicalCursor)(TCXCursor);
	TCXCursor (*getCursorDefinition)(TCXCursor);
	unsigned (*equalCursors)(TCXCursor, TCXCursor);
	int (*Cursor_isNull)(TCXCursor);
	unsigned (*isCursorDefinition)(TCXCursor);
	int (*Cursor_getStorageClass)(TCXCursor);
	unsigned (*Cursor_isMacroFunctionLike)(TCXCursor);
	TCXType (*getCursorResultType)(TCXCursor);
	TCXType (*getCursorType)(TCXCursor);
	TCXType (*getCanonicalType)(TCXType);
	TCXType (*getPointeeType)(TCXType);
	TCXCursor (*getTypeDeclaration)(TCXType);
	TCXString (*getCursorUSR)(TCXCursor);
	TCXCursor (*getCursorSemanticParent)(TCXCursor);
	TCXSourceLocation (*getRangeStart)(TCXSourceRange);
	TCXSourceLocation (*getRangeEnd)(TCXSourceRange);
	void (*getFileLocation)(TCXSourceLocation, TCXFile *, unsigned *line, unsigned *column, unsigned *offset);
	void (*getExpansionLocation)(TCXSourceLocation, TCXFile *, unsigned *line, unsigned *column, unsigned *offset);
	int (*Location_isInSystemHeader)(TCXSourceLocation);
	TCXString (*getFileName)(TCXFile);
	TCXSourceRangeList *(*getSkippedRanges)(TCXTranslationUnit, TCXFile);
	void (*disposeSourceRangeList)(TCXSourceRangeList *);
	TCXFile (*getFile)(TCXTranslationUnit, const char *name);
	TCXFile (*getIncludedFile)(TCXCursor);
	unsigned (*getNumDiagnostics)(TCXTranslationUnit);
	TCXDiagnostic (*getDiagnostic)(TCXTranslationUnit, unsigned);
	int (*getDiagnosticSeverity)(TCXDiagnostic);
	TCXSourceLocation (*getDiagnosticLocation)(TCXDiagnostic);
	TCXString (*getDiagnosticSpelling)(TCXDiagnostic);
	void (*disposeDiagnostic)(TCXDiagnostic);
	const char *(*getCString)(TCXString);
	void (*disposeString)(TCXString);
};

/*
 * Loads libclang once (thread-safe).  Returns the table, or NULL with a message naming
 * what was tried and what to install in *error (static storage).  $TAGGER_LIBCLANG, when
 * set, is the only library tried; otherwise the system's versioned names, then the
 * fallback (tagger_clang_set_fallback), then the unversioned names.
 */
const struct tagger_clang_api *tagger_clang_load(const char **error);

/*
 * A libclang to try after the system's versioned ones (the build plugin passes the Swift
 * toolchain's, which every Swift user has).  After the system's, so that `tagger check` and
 * the build plugin load the same library where both can.  Only before the first load;
 * returns -1 (and changes nothing) once loading happened.
 */
int tagger_clang_set_fallback(const char *path);

/*
 * The file the loaded libclang was read from, with symbolic links resolved (static storage),
 * or NULL when none is loaded: where its builtin headers should be (`-resource-dir`).
 */
const char *tagger_clang_library_path(void);

#endif /* TAGGER_CLIBCLANG_H */
