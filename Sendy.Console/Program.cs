using Sendy.Console;
using Sendy.Console.Api;
using Sendy.Console.ApiDocs;
using Sendy.Console.Demo;
using Sendy.Console.Integrations;
using Sendy.Console.Security;
using Sendy.Console.Staff;
using Sendy.Console.Telemetry;
using Sendy.Engine;
using Sendy.Engine.Notifications;
using Sendy.Engine.Search;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSendyEngine(builder.Configuration);
builder.Services.AddSendyNotifications(builder.Configuration);
builder.Services.AddSendySearch(builder.Configuration);
builder.Services.AddSendyConsole(builder.Configuration);
builder.Services.AddSendyDemo(builder.Configuration);
builder.Services.AddSendySecurity(builder.Configuration, builder.Environment);
builder.Services.AddSendyStaff(builder.Configuration, builder.Environment);
builder.Services.AddSendyApiAccess();
builder.Services.AddApiFaults();
builder.Services.AddSendyApiDocs();
builder.Services.AddSendyTelemetry(builder.Configuration);

var app = builder.Build();

app.UseSendySecurity();
app.UseApiFaults();
app.UseSendyTelemetry();
app.UseSendyConsole();
app.MapSendyApi();
app.MapSendyApiDocs();
app.MapStaffEndpoints();

app.Run();

public partial class Program;
