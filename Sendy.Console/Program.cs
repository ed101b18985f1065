using Sendy.Console;
using Sendy.Console.Api;
using Sendy.Console.Demo;
using Sendy.Engine;
using Sendy.Engine.Notifications;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSendyEngine(builder.Configuration);
builder.Services.AddSendyNotifications(builder.Configuration);
builder.Services.AddSendyConsole(builder.Configuration);
builder.Services.AddSendyDemo(builder.Configuration);

var app = builder.Build();

app.UseSendyConsole();
app.MapSendyApi();

app.Run();

public partial class Program;
