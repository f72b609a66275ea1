/* hayate CLI: the subcommand entry points. Each takes the arguments from its
 * own name on (argv[0] is the subcommand, e.g. "synth") and returns an exit
 * code: 0 success, 1 failure, 2 usage error. */
#ifndef HAYATE_CLI_COMMANDS_H
#define HAYATE_CLI_COMMANDS_H

int hy_cmd_synth(int argc, char **argv);
int hy_cmd_eval(int argc, char **argv);
int hy_cmd_eval_malware(int argc, char **argv);
int hy_cmd_features(int argc, char **argv);
int hy_cmd_dataset(int argc, char **argv);
int hy_cmd_train(int argc, char **argv);
int hy_cmd_model(int argc, char **argv);
int hy_cmd_tree(int argc, char **argv);
int hy_cmd_intel(int argc, char **argv);
int hy_cmd_train_intel(int argc, char **argv);
int hy_cmd_eval_intel(int argc, char **argv);
int hy_cmd_synth_alerts(int argc, char **argv);
int hy_cmd_screen(int argc, char **argv);
int hy_cmd_eval_screen(int argc, char **argv);

#endif
