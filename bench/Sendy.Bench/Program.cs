using System.Text.Json.Nodes;
using Npgsql;
using Sendy.Bench;

// ./sendy.sh bench runs this with the set-up's connection string and kinesalite endpoint. Every
// scenario is bounded; one that fails or runs out of time is reported as "not measured" with why.
var pg = Environment.GetEnvironmentVariable("SENDY_BENCH_PG")
    ?? "Host=127.0.0.1;Port=55434;Database=sendy;Username=sendy;Password=sendy";
var kinesis = Environment.GetEnvironmentVariable("SENDY_BENCH_KINESIS_ENDPOINT") ?? "http://127.0.0.1:45673";
var output = Environment.GetEnvironmentVariable("SENDY_BENCH_OUTPUT") ?? Path.Combine("bench", "results", "latest.json");
var only = Environment.GetEnvironmentVariable("SENDY_BENCH_ONLY")?.Split(',', StringSplitOptions.RemoveEmptyEntries);

var report = new Report();
string postgresVersion;
await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg) { Pooling = false }.ConnectionString))
{
    await connection.OpenAsync();
    await using var cmd = new NpgsqlCommand("SELECT version() || ' / PostGIS ' || postgis_lib_version() || ' / fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers')", connection);
    postgresVersion = (string)(await cmd.ExecuteScalarAsync())!;
}

var scenarios = new (string Name, string[] Figures, TimeSpan Budget, Func<CancellationToken, Task> Run)[]
{
    ("persist", ["persist_consumer_positions_per_s"], TimeSpan.FromMinutes(4),
        ct => new PersistBench(pg, report).RunAsync(ct)),
};

foreach (var (name, figures, budget, run) in scenarios)
{
    if (only is not null && !only.Contains(name)) continue;
    Progress.Say($"== {name}");
    using var cts = new CancellationTokenSource(budget);
    try
    {
        await run(cts.Token).WaitAsync(budget + TimeSpan.FromSeconds(30));
    }
    catch (Exception ex)
    {
        Progress.Say($"{name} failed: {ex}");
        foreach (var f in figures)
            report.Add(Figure.NotMeasured(f, "", null, $"{name} failed: {ex.GetType().Name}: {ex.Message}"));
    }
}

var json = report.ToJson(postgresVersion);
var text = Report.Serialize(json);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, text + "\n");
System.Console.Out.WriteLine(text);
return 0;
