namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>ArchiveText.resx</c> (en) and <c>ArchiveText.ko.resx</c>: the archive's section of /admin/history.</summary>
public sealed class ArchiveText;
