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

    /// <summary>
    /// Where a browser test saves a screenshot: TestResults/screenshots (git-ignored) on every run, so
    /// a test run leaves the checkout clean; docs/screenshots when SENDY_UPDATE_SCREENSHOTS=1.
    /// </summary>
    public static string Screenshot(string name)
    {
        var dir = Environment.GetEnvironmentVariable("SENDY_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(Root, "docs", "screenshots")
            : Path.Combine(Root, "TestResults", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
