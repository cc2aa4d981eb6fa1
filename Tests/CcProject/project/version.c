/* No allocation and no project header: tagger cc compiles it as written (nothing to tag). */
const char *demo_version(void)
{
	return "1.0";
}
