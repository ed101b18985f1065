namespace Sendy.Console.Tests.Browser;

public static class RepoPaths
{
    /// <summary>The checkout's root: the first parent of the test binaries holding Sendy.sln.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Sendy.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Sendy.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Screenshot(string name)
    {
        var dir = Path.Combine(Root, "docs", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
