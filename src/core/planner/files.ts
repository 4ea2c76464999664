/** The planner's context lists the workspace exactly as the agents see it (one lister for both). */
export { listWorkspaceFiles, type WorkspaceListing } from '../context/workspaceFiles';
