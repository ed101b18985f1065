using Sendy.Migrations;

// Usage:
//   dotnet run --project migrations -- migrate "<connection string>"   apply all pending migrations
//   dotnet run --project migrations -- add <Name>                       scaffold a new migration from the model
// (dotnet-ef is not served by this registry, so the migrations project carries its own tool.)
return args switch
{
    ["migrate", var connectionString] => await MigrationCommands.MigrateAsync(connectionString),
    ["add", var name] => MigrationCommands.Add(name, Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../"))),
    _ => MigrationCommands.Usage(),
};
